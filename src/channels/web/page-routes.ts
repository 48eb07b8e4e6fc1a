import { Hono } from 'hono';
import { CHAT_CSS, CHAT_HTML, CHAT_JS } from './assets.js';

const cache = 'public, max-age=300';

/** The citizen web chat page and its assets. */
export function webPageRoutes() {
  return new Hono()
    .get('/', (c) => c.html(CHAT_HTML))
    .get('/assets/chat.js', (c) => c.body(CHAT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': cache }))
    .get('/assets/chat.css', (c) => c.body(CHAT_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': cache }));
}
