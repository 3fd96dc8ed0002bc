module.exports = require('../../jest.preset.cjs')('bench', { testMatch: ['<rootDir>/**/*.test.ts'] });
