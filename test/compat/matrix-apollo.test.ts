import { matrixSuite } from './matrix.js';

matrixSuite('apollo', { server: 'apollo' });
