// Public surface of the settings module.
export * from './settingsSchema';
export * from './settingsNetwork';
export { migrateSettings, detectSchemaVersion, SettingsMigrationError } from './settingsMigrations';
export * from './settingsStore';
