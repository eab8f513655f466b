/** What one bench run measured: printed as markdown, kept as JSON (`run.ts` writes both). */
import type { EntrySize } from '../scripts/size.mjs';
import type { BundleRow } from './bundle.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import type { Run } from './scenarios.js';
import type { WsRestartResult } from './ws-restart.js';

export interface ScenarioResult {
  id: string;
  title: string;
  rows: { client: string; runs: Run[] }[];
}

export interface Check {
  id: string;
  goal: string;
  actual: string;
  ok: boolean;
  /** Counts and bytes are exact and fail every run; timings fail a full run only; aims never. */
  kind: 'exact' | 'timing' | 'aim';
  /** A timing goal's other client, measured again with ours when the goal is missed. */
  against?: string;
}

export interface Results {
  date: string;
  node: string;
  cpus: string;
  /** 1-minute load average at start and end: other work on the machine moves timings. */
  load: [number, number];
  quick: boolean;
  clients: { name: string; base: string; wiring: string }[];
  scenarios: ScenarioResult[];
  overhead: OverheadRow[];
  memory: MemoryRow[];
  ws: WsRestartResult | null;
  sizes: EntrySize[];
  bundles: BundleRow[];
  checks: Check[];
  notes: string[];
  durationMs: number;
}
