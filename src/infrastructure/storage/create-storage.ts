import type { StorageConfig } from '../../config.js';
import type { FileStorage } from './file-storage.js';
import { createLocalStorage } from './local-storage.js';
import { createS3Storage } from './s3-storage.js';

/** The adapter STORAGE_URL / S3_* chose (src/config.ts). */
export function createFileStorage(config: StorageConfig): FileStorage {
  if (config.kind === 'local') return createLocalStorage(config.directory);
  return createS3Storage(config);
}
