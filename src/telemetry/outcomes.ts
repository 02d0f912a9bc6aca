// What the online join knows about each arm's answers, in the shape that the
// release side (experiments, the canary guard) reads: per-user outcomes, the
// unit of every online comparison. The telemetry side produces it
// (online-join.ts; `Service.outcomes` in a serving process); nothing here
// depends on how.

/** One user's answers from one arm, counted once the join window has closed on them (stream event time). */
export interface UserOutcome {
  /** Answers to this user whose window has closed. */
  answers: number;
  /**
   * Of those, answers whose first title started within the window (telemetry.joinWindowMinutes of event time) was
   * listed.
   */
  hits: number;
}

/** Everything served under one arm (`stable`, `canary`, or `<experiment>/<arm>`). */
export interface ArmOutcomes {
  arm: string;
  /** Model ids that answered under this arm, oldest first. */
  models: readonly string[];
  /**
   * Answers recorded by the server (its answer log; `sinceMs` read as wall time there), whether or not their window has
   * closed.
   */
  answers: number;
  /**
   * Answers refused or failed with status >= 500 under this arm (server side; 429s and 400s are not the model's doing).
   */
  errors: number;
  /**
   * Users with at least one answer whose window has closed, and their
   * outcomes: a live view, which later reads of the same arm and `sinceMs`
   * bring up to date in place.
   */
  perUser: ReadonlyMap<number, UserOutcome>;
}

export interface OutcomeReader {
  /**
   * Outcomes of one arm since `sinceMs` (event time; default: since the arm started), or undefined if it served
   * nothing.
   */
  arm(arm: string, sinceMs?: number): ArmOutcomes | undefined;
}
