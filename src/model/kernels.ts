// The training kernels models call (and train reports): native when the addon
// loaded, else their TypeScript twins (native/index.ts decides; nothing else
// loads .node files).
export { sgdEpochs, alsHalf, gram, ridgeRows, pairDots, nativeStatus } from '../../native';
