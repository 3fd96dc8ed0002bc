// Appends each Jest run's counts to $CONJUGATE_TEST_COUNTS (one JSON line per project), so .ci/run can
// print one closing line for the whole monorepo: "tests: N passed, N failed, N skipped".
class CountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.CONJUGATE_TEST_COUNTS;
    if (!file) return;
    const line = JSON.stringify({
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    });
    require('node:fs').appendFileSync(file, line + '\n');
  }
}
module.exports = CountReporter;
