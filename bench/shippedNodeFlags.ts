// The Node flags a checkout's headless proxy is started with (scripts/nodeFlags.mjs reads them from its
// package.json): the bench runs each measured checkout's proxy with that checkout's own flags, so a
// before/after pair compares them as each shipped.
export { shippedNodeFlags } from '../scripts/nodeFlags.mjs';
