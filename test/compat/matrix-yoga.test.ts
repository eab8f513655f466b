import { matrixSuite } from './matrix.js';

matrixSuite('yoga', { server: 'yoga' });
