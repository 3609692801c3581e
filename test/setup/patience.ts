// Runs before each test file: Testing Library's waitFor/findBy give up after 15 s instead of 1 s in the
// DOM (happy-dom) test files, so a slow, shared machine cannot turn a correct wait into a failure.
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/dom');
  configure({ asyncUtilTimeout: 15_000 });
}
export {};
