import { getSpec } from '../../core/spec';
import { CHECKS } from '../../src/verifier/checks';
import { computeCoverage, formatCoverage } from '../../src/verifier/coverage';

const spec = getSpec();
const [op] = [...spec.operations.values()];
const declared = [...op.responses.keys()].filter((s) => /^\d+$/.test(s)).map(Number);
const two = CHECKS.slice(0, 2);

test('an answered declared status is marked, an undeclared one is listed apart', () => {
  const c = computeCoverage(
    spec,
    two,
    [
      { operationId: op.operationId, response: { status: declared[0], headers: {}, body: '' } },
      { operationId: op.operationId, response: { status: 599, headers: {}, body: '' } },
    ],
    [],
  );
  const o = c.operations.find((x) => x.operationId === op.operationId)!;
  expect(o.statuses.filter((s) => s.answered).map((s) => s.status)).toEqual([declared[0]]);
  expect(o.undeclared).toEqual([599]);
  expect(c.statements.every((s) => !s.exercised)).toBe(true);
  expect(c.exercised).toBe(1);
});

test('statements of passed and failed checks are exercised, skipped and blocked ones are not', () => {
  const results = [
    { name: two[0].name, status: 'fail' as const },
    { name: two[1].name, status: 'skip' as const },
  ];
  const c = computeCoverage(spec, two, [], results);
  expect(c.statements.filter((s) => s.exercised).length).toBe(two[0].covers.length);
  const blocked = computeCoverage(spec, two, [], [{ name: two[0].name, status: 'blocked' }]);
  expect(blocked.exercised).toBe(0);
  expect(formatCoverage(c)).toContain(`statements exercised: ${two[0].covers.length} of ${c.statements.length}`);
  expect(formatCoverage(c)).toContain(`not exercised: ${two[1].name}:`);
});

test('percent is exercised over declared pairs plus statements, 100 only when all are', () => {
  const exchanges = [...spec.operations.values()].flatMap((o) =>
    [...o.responses.keys()]
      .filter((s) => /^\d+$/.test(s))
      .map((s) => ({ operationId: o.operationId, response: { status: Number(s), headers: {}, body: '' } })),
  );
  const all = computeCoverage(
    spec,
    two,
    exchanges,
    two.map((c) => ({ name: c.name, status: 'pass' as const })),
  );
  expect(all.percent).toBe(100);
  const none = computeCoverage(spec, two, [], []);
  expect(none.total).toBe(exchanges.length + two[0].covers.length + two[1].covers.length);
  expect(none.percent).toBe(0);
});
