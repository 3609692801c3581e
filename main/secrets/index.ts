// Public surface of the secrets module.
export * from './secretStore';
export { MemorySecretStore } from './memorySecretStore';
export { KeychainSecretStore, KEYCHAIN_SERVICE, loadNapiKeyring, probeKeychain, type KeyringEntry, type KeyringEntryFactory } from './keychainSecretStore';
export { SafeStorageSecretStore, type SafeStorageAdapter, type EncryptedSecretsSink } from './safeStorageSecretStore';
export { chooseSecretStore, type ChooseSecretStoreOptions } from './chooseSecretStore';
