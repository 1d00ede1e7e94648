/** Store sizes, load durations and counts of one bench run. */
export interface BenchSizes {
  /** Work items in the send-plan store. */
  workItems: number;
  /** Connected mailboxes in the send-plan store, besides the two of the demo seed. */
  mailboxes: number;
  /** Messages in the filled store of the ingestion growth runs. */
  storedMessages: number;
  /** Seconds of each autocannon run after its warm-up. */
  httpSeconds: number;
  /** Seconds of autocannon warm-up before each measured run, not counted. */
  httpWarmupSeconds: number;
  /** Rounds of one baseline and one send-plan run; a last baseline run follows them. */
  httpRounds: number;
  /** Concurrent HTTP connections of autocannon. */
  httpConnections: number;
  /** Rounds of ingestion runs; each round loads every SQLite-backed and bare server once. */
  ingestRounds: number;
  /** Messages delivered in each ingestion run. */
  ingestMessages: number;
  /** Messages delivered before each ingestion run to warm up, not counted. */
  ingestWarmupMessages: number;
  /** Upper bound on one ingestion run, in seconds; a slower run fails. */
  ingestTimeoutSeconds: number;
  /** Sends timed per handler in the compute-time comparison. */
  handlerSends: number;
}

/** Sizes of the documented targets; a full run took 3 to 5 minutes on the 2-core machine. */
export const fullSizes: BenchSizes = {
  workItems: 100_000,
  mailboxes: 1_000,
  storedMessages: 200_000,
  httpSeconds: 8,
  httpWarmupSeconds: 3,
  httpRounds: 4,
  httpConnections: 10,
  ingestRounds: 2,
  ingestMessages: 1_000,
  ingestWarmupMessages: 300,
  ingestTimeoutSeconds: 120,
  handlerSends: 200,
};

/** Tiny sizes for the smoke test: its loads take seconds, and the production build takes most of its time. */
export const smokeSizes: BenchSizes = {
  workItems: 200,
  mailboxes: 20,
  storedMessages: 300,
  httpSeconds: 1,
  httpWarmupSeconds: 0,
  httpRounds: 1,
  httpConnections: 2,
  ingestRounds: 1,
  ingestMessages: 40,
  ingestWarmupMessages: 4,
  ingestTimeoutSeconds: 30,
  handlerSends: 10,
};
