/**
 * Citizen contact details encrypted at rest with AES-256-GCM (Web Crypto, so it runs on Node
 * and Workers). Stored form: `v1.<iv base64>.<ciphertext+tag base64>`.
 */
export interface ContactCipher {
  encrypt(plain: string): Promise<string>;
  decrypt(stored: string): Promise<string>;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

/**
 * Decode a 32-byte key written as 64 hex digits or base64/base64url.
 * @throws Error (without the key in the message) when it is not 32 bytes.
 */
export function decodeEncryptionKey(raw: string): Uint8Array {
  const s = raw.trim();
  let bytes: Uint8Array | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(s)) bytes = Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    try {
      bytes = unb64(s.replace(/-/g, '+').replace(/_/g, '/').replace(/=?$/, '='));
    } catch {
      bytes = undefined;
    }
  }
  if (!bytes || bytes.length !== 32) throw new Error('CASE_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64');
  return bytes;
}

/** A fresh random key as 64 hex digits (for the embedded setup's key file). */
export function generateEncryptionKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function createContactCipher(keyBytes: Uint8Array): ContactCipher {
  const raw = new Uint8Array(keyBytes);
  let key: Promise<CryptoKey> | undefined;
  const getKey = () => (key ??= crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  return {
    async encrypt(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await getKey(), new TextEncoder().encode(plain));
      return `v1.${b64(iv)}.${b64(new Uint8Array(ct))}`;
    },
    async decrypt(stored) {
      const [v, iv, ct] = stored.split('.');
      if (v !== 'v1' || !iv || !ct) throw new Error('unknown contact ciphertext format');
      const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await getKey(), unb64(ct));
      return new TextDecoder().decode(pt);
    },
  };
}

/**
 * Mask a contact for lists and views: phone numbers keep the first 3 and last 4 digits
 * (138****5678); anything else keeps its first and last character.
 */
export function maskContact(contact: string): string {
  const s = contact.trim();
  const digits = s.replace(/[\s-]/g, '');
  if (/^\+?\d{7,15}$/.test(digits)) {
    const keepHead = digits.length >= 11 ? 3 : 2;
    return digits.slice(0, keepHead) + '*'.repeat(digits.length - keepHead - 4) + digits.slice(-4);
  }
  const chars = [...s];
  if (chars.length <= 2) return '*'.repeat(chars.length);
  return chars[0] + '*'.repeat(Math.min(chars.length - 2, 8)) + chars.at(-1);
}
