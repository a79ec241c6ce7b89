import { safeStorage } from 'electron';

/** Encrypts stored credentials with the OS keychain (safeStorage); main only. */
export interface SecretBox {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export function safeStorageSecretBox(): SecretBox {
  return {
    encrypt(plain) {
      if (!safeStorage.isEncryptionAvailable()) {
        throw new Error('The system keychain is not available, so Doppel cannot store passwords safely. Use PGPASSWORD / MYSQL_PWD instead.');
      }
      return safeStorage.encryptString(plain);
    },
    decrypt(sealed) {
      return safeStorage.decryptString(sealed);
    },
  };
}
