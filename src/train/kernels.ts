// The training kernels models call: the native ones when the addon loaded,
// else their TypeScript twins (native/index.ts decides; nothing else loads .node files).
export { sgdEpochTs as sgdEpoch } from '../../native/twins/train-sgd';
export { alsHalfTs as alsHalf, gramTs as gram } from '../../native/twins/train-als';
