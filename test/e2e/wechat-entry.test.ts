import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PuppetMock } from 'wechaty-puppet-mock';
import { createLogger } from '../../src/logger.js';
import { startWechatBot, type WechatBot } from '../../src/node/wechat-bot.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { sleep } from './wechat-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'yhd-wechat-'));
const lines: Array<Record<string, unknown>> = [];
let s: TestServices;
let wechat: WechatBot | undefined;
const qrs: string[] = [];

beforeAll(async () => {
  s = await testServices({
    config: { WECHATY_PUPPET: 'wechaty-puppet-mock', DATA_DIR: dataDir, WECHAT_REF_SECRET: 'test-secret-0123456789abcdef' },
    logger: createLogger('debug', (l) => lines.push(JSON.parse(l))),
  });
});
afterAll(async () => {
  await wechat?.stop();
  await s?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

const waitForLog = async (msg: string) => {
  for (let i = 0; i < 200 && !lines.some((l) => l.msg === msg); i++) await sleep(20);
  return lines.find((l) => l.msg === msg);
};

describe('npm run wechat: the bot as the entry builds it', () => {
  it('rejects a bad or missing puppet, or a service puppet without a token, before starting', async () => {
    await expect(startWechatBot({ ...s, config: { ...s.config, WECHATY_PUPPET: 'evil; rm -rf /' } })).rejects.toThrow(/WECHATY_PUPPET/);
    await expect(startWechatBot({ ...s, config: { ...s.config, WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: undefined } })).rejects.toThrow(
      /WECHATY_PUPPET_SERVICE_TOKEN/,
    );
    await expect(startWechatBot({ ...s, config: { ...s.config, WECHATY_PUPPET: 'wechaty-puppet-not-installed' } })).rejects.toThrow(
      /cannot load "wechaty-puppet-not-installed".*npm install wechaty-puppet-not-installed/,
    );
  });

  it('loads the puppet named in config, shows the login QR code as text and URL, logs login, answers', async () => {
    wechat = await startWechatBot(s, { printQr: (qr) => qrs.push(qr), plugin: { delivery: { pollMs: 50 } } });
    const puppet = wechat.bot.puppet as unknown as PuppetMock;
    expect(puppet.constructor.name).toBe('PuppetMock');

    puppet.mocker.scan('https://login.weixin.qq.com/l/test-qr', 2 /* ScanStatus.Waiting */);
    const scan = await waitForLog('wechat: scan the QR code with the office WeChat account');
    expect(qrs).toEqual(['https://login.weixin.qq.com/l/test-qr']);
    expect(scan).toMatchObject({ qrcodeImageUrl: `https://wechaty.js.org/qrcode/${encodeURIComponent('https://login.weixin.qq.com/l/test-qr')}` });

    const self = puppet.mocker.createContact({ name: '牡丹区12345' });
    puppet.mocker.login(self);
    expect(await waitForLog('wechat: logged in')).toMatchObject({ account: '牡丹区12345' });

    const citizen = puppet.mocker.createContact({ name: '市民' });
    const got: string[] = [];
    citizen.on('message', (msg: { payload: { talkerId: string; text?: string } }) => {
      if (msg.payload.talkerId === self.id && msg.payload.text) got.push(msg.payload.text);
    });
    citizen.say('怎么申请政府信息公开？').to(self);
    for (let i = 0; i < 300 && got.length === 0; i++) await sleep(20);
    expect(got).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
