// What the online join knows about each arm's answers, in the shape that the
// release side (experiments, the canary guard) reads: per-user outcomes, the
// unit of every online comparison. The telemetry side produces it; nothing
// here depends on how.

/** One user's answers from one arm, counted once the join window has closed on them (stream event time). */
export interface UserOutcome {
  /** Answers to this user whose window has closed. */
  answers: number;
  /** Of those, answers followed within the window by a watch of a listed title. */
  hits: number;
}

/** Everything served under one arm (`stable`, `canary`, or `<experiment>/<arm>`). */
export interface ArmOutcomes {
  arm: string;
  /** Model ids that answered under this arm, oldest first. */
  models: readonly string[];
  /** Answers recorded, whether or not their window has closed. */
  answers: number;
  /** Answers refused or failed (status >= 500) under this arm. */
  errors: number;
  /** Users with at least one answer whose window has closed, and their outcomes. */
  perUser: ReadonlyMap<number, UserOutcome>;
}

export interface OutcomeReader {
  /** Outcomes of one arm since `sinceMs` (event time; default: since the arm started), or undefined if it served nothing. */
  arm(arm: string, sinceMs?: number): ArmOutcomes | undefined;
}
