// Public surface of the settings module.
export * from './settingsSchema';
export { migrateSettings, detectSchemaVersion, SettingsMigrationError } from './settingsMigrations';
export * from './settingsStore';
