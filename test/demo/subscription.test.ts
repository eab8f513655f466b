import { describe, expect, it } from 'vitest';
import { startTicksDemo } from '../../demo/subscription.js';
import { startTestServer } from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { TokenManager } from '../../src/token/manager.js';

describe('demo/subscription', () => {
  it('counts ticks, reconnects and token changes, and ends with SESSION_EXPIRED on logout', async () => {
    const server = await startTestServer();
    const manager = new TokenManager({ refresh: httpRefresh(server.refreshUrl) });
    await manager.setTokens(await server.login());
    const demo = startTicksDemo(server, manager, { intervalMs: 10 });
    try {
      await demo.waitForTicks(2);
      for (let tokenChange = 0; tokenChange < 2; tokenChange++) {
        await manager.refresh();
        await demo.waitForTicks(3);
      }
      expect(demo.tokenChanges).toBe(2);
      expect(demo.errors).toBe(0);
      expect(demo.reconnects).toBe(2);
      expect(demo.summary()).toMatch(
        /^ticks kept flowing across 2 token changes \(\d+ ticks, 2 reconnects, 0 errors\)$/,
      );
      await manager.logout();
      expect(demo.errorCodes).toEqual(['SESSION_EXPIRED']);
    } finally {
      await demo.stop();
      manager.dispose();
      await server.close();
    }
  });
});
