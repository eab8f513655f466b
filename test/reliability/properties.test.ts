import { ApolloLink } from '@apollo/client';
import fc from 'fast-check';
import { concat } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coverage, runScenario, type Scenario, scenarios, useModelClock } from './model.js';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 1_000);

const fake = () => useModelClock(Date.UTC(2026, 0, 1));

afterEach(() => {
  vi.useRealTimers();
});

describe('token refresh under random schedules (model-based)', () => {
  it(`keeps every invariant over ${NUM_RUNS} random schedules`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario: Scenario) => {
        fake();
        try {
          const violations = await runScenario(scenario);
          // The list is the message: a shrunk counterexample shows which invariant broke.
          expect(violations).toEqual([]);
        } finally {
          vi.useRealTimers();
        }
      }),
      {
        numRuns: NUM_RUNS,
        ...(process.env.PROPERTY_SEED && { seed: Number(process.env.PROPERTY_SEED) }),
      },
    );
    const ms = performance.now() - started;
    // In the output: how many schedules ran, how long they took, and how often each path was reached.
    process.stdout.write(
      `properties: ${NUM_RUNS} schedules in ${Math.round(ms)} ms, ${JSON.stringify(coverage)}\n`,
    );
    // A model that never reaches these paths proves nothing about them.
    for (const [path, count] of Object.entries(coverage)) expect(count, path).toBeGreaterThan(0);
  }, 120_000);

  // The checks themselves must be able to fail: break the chain on purpose and expect them to.
  const broken: [string, ApolloLink, RegExp][] = [
    [
      'sends every operation three times',
      new ApolloLink((operation, forward) =>
        concat(forward(operation), forward(operation), forward(operation)),
      ),
      /sent 3 times/,
    ],
    [
      'sends an expired token',
      new ApolloLink((operation, forward) => {
        operation.setContext({ headers: { authorization: 'Bearer at.1' } });
        return forward(operation);
      }),
      /known expiring/,
    ],
  ];
  it.each(broken)('the model reports a chain that %s', async (_, tamper, expected) => {
    fake();
    try {
      const scenario: Scenario = {
        initialTtl: 1_000,
        scheduleRefresh: false,
        commands: [
          { kind: 'op' },
          { kind: 'refresh', outcome: 'ok', ttl: 60_000 },
          { kind: 'respond', index: 0 },
        ],
      };
      expect((await runScenario(scenario, tamper)).join('\n')).toMatch(expected);
      expect(await runScenario(scenario)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
