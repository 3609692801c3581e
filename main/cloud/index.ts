// Public surface of the Comfy Cloud module.
export * from './cloudEnvironments';
export * from './cloudClient';
export * from './retryPolicy';
