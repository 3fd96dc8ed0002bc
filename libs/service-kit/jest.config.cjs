module.exports = require('../../jest.preset.cjs')('service-kit');
