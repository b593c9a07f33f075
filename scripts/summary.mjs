// Reads vitest's JSON results and prints (1) the behaviour suite's table of
// implementation x case, with every skip's reason, and (2) the closing line
// CI reads: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`summary: no test results in ${file} (${error.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const SKIP = /\s*\[skipped for ([^:]+): (.*)\]$/;
const columns = [];
const rows = new Map(); // case -> Map(implementation -> cell)
const reasons = new Map(); // "implementation: reason" -> cases
for (const suite of results.testResults ?? []) {
  if (!/test\/behaviour\/(init|console)\.test\.ts$/.test(suite.name)) continue;
  for (const test of suite.assertionResults ?? []) {
    const [head, ...path] = test.ancestorTitles;
    const implementation = head.replace(/: (behaviour|console features)$/, '');
    if (!columns.includes(implementation)) columns.push(implementation);
    const skip = SKIP.exec(test.title);
    const title = [...path, test.title.replace(SKIP, '')].join(' > ');
    if (!rows.has(title)) rows.set(title, new Map());
    const cell = test.status === 'passed' ? 'ok' : test.status === 'failed' ? 'FAIL' : 'skip';
    rows.get(title).set(implementation, cell);
    if (skip) {
      const key = `${implementation}: ${skip[2]}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
  }
}
if (rows.size > 0) {
  const width = 70;
  const short = (name) => name.replace(' fifo-init.sh', '.sh').replace('busybox sh', 'busybox');
  const header = `${'case'.padEnd(width)} ${columns.map((c) => short(c).padEnd(10)).join(' ')}`;
  console.log('\nBehaviour suite: implementation x case');
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const [title, cells] of rows) {
    const name = title.length > width ? `${title.slice(0, width - 1)}…` : title;
    console.log(`${name.padEnd(width)} ${columns.map((c) => (cells.get(c) ?? '-').padEnd(10)).join(' ')}`);
  }
  console.log('\nSkips and why:');
  for (const [key, count] of reasons) console.log(`  ${key} (${count} test${count > 1 ? 's' : ''})`);
  console.log('');
}

const passed = results.numPassedTests ?? 0;
const failed = (results.numFailedTests ?? 0) + (results.numRuntimeErrorTestSuites ?? 0);
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
