import { describe, expect, it } from 'vitest';
import { createContactCipher, decodeEncryptionKey, generateEncryptionKey, maskContact } from './contact-cipher.js';

describe('contact encryption (AES-GCM, Web Crypto)', () => {
  it('round-trips and never stores the clear text', async () => {
    const cipher = createContactCipher(decodeEncryptionKey(generateEncryptionKey()));
    const enc = await cipher.encrypt('13812345678');
    expect(enc).toMatch(/^v1\./);
    expect(enc).not.toContain('13812345678');
    expect(await cipher.encrypt('13812345678')).not.toBe(enc); // fresh IV each time
    expect(await cipher.decrypt(enc)).toBe('13812345678');
  });

  it('fails with another key or a tampered ciphertext', async () => {
    const a = createContactCipher(decodeEncryptionKey(generateEncryptionKey()));
    const b = createContactCipher(decodeEncryptionKey(generateEncryptionKey()));
    const enc = await a.encrypt('张三 13812345678');
    await expect(b.decrypt(enc)).rejects.toThrow();
    const [v, iv, ct] = enc.split('.');
    const flipped = ct!.slice(0, 5) + (ct![5] === 'A' ? 'B' : 'A') + ct!.slice(6);
    await expect(a.decrypt([v, iv, flipped].join('.'))).rejects.toThrow();
  });

  it('accepts 32-byte keys as hex or base64 only', () => {
    expect(decodeEncryptionKey('ab'.repeat(32))).toHaveLength(32);
    expect(decodeEncryptionKey(btoa(String.fromCharCode(...new Uint8Array(32).fill(7))))).toHaveLength(32);
    expect(() => decodeEncryptionKey('short')).toThrow(/32 bytes/);
    expect(() => decodeEncryptionKey('ab'.repeat(16))).toThrow(/32 bytes/);
  });

  it('masks phones and other contacts', () => {
    expect(maskContact('13812345678')).toBe('138****5678');
    expect(maskContact('138-1234-5678')).toBe('138****5678');
    expect(maskContact('0530-5551234')).toBe('053****1234');
    expect(maskContact('zhangsan@example.com')).toBe('z********m');
    expect(maskContact('王五')).toBe('**');
  });
});
