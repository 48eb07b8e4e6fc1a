// qrcode-terminal ships no types; this is the part we use.
declare module 'qrcode-terminal' {
  export function generate(text: string, opts?: { small?: boolean }, cb?: (qrcode: string) => void): void;
  const qrcode: { generate: typeof generate };
  export default qrcode;
}
