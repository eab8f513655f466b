import type { WsRestartResult } from '../ws-restart.js';
import type { BundleRow } from './bundle.js';
import type { OverheadRow } from './overhead.js';
import type { Run } from './scenarios.js';

export interface ScenarioResult {
  id: string;
  title: string;
  n: number;
  rows: { client: string; runs: Run[] }[];
}

export interface TargetCheck {
  id: string;
  target: string;
  actual: string;
  ok: boolean;
  /** A wall-clock or CPU-time target: measured again when it is missed (bench/index.ts). */
  timing?: boolean;
  /** The other client a comparison target was checked against. */
  against?: string;
}

export interface Results {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  /** 1-minute load average at start and end: other work on the machine skews timings. */
  load: [number, number];
  quick: boolean;
  reps: number;
  /** Repetitions of the S1 scenarios at N=50 and at larger N (their wall target compares medians). */
  s1Reps: { small: number; large: number };
  refreshLatencyMs: number;
  scenarios: ScenarioResult[];
  overhead: OverheadRow[];
  bundles: BundleRow[];
  /** S5, measured by `bench/ws-restart.ts`. */
  ws: WsRestartResult | null;
  targets: TargetCheck[];
  notes: string[];
  durationMs: number;
}
