import { matrixSuite } from './matrix.js';

// Subscriptions through a graphql-ws server that goes down halfway (HTTP: Apollo Server).
matrixSuite('ws-restart', { server: 'apollo', wsRestart: true });
