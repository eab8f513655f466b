import { matrixSuite } from './matrix.js';

matrixSuite('gateway', { server: 'gateway' });
