module.exports = require('../../jest.preset.cjs')('attack-service');
