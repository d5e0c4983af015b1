// mocha's spec reporter, plus one closing line `N passed, M failed` from mocha's
// own counts, so CI sees at a glance whether any test ran (DEVELOPERS: CI reads it).
'use strict';
const Mocha = require('mocha');

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const { passes, failures, pending } = runner.stats;
      process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
    });
  }
}

module.exports = CountingSpecReporter;
