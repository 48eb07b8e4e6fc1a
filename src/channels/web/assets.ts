/**
 * Static assets of the citizen web chat, kept as strings so both runtimes (Node and Workers)
 * serve them without a file system. No inline scripts: the CSP forbids them.
 */
export const CHAT_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f8;color:#1f2329}
header{background:#c8161d;color:#fff;padding:12px 16px}
header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;font-size:13px;opacity:.9}
main{max-width:760px;margin:0 auto;display:flex;flex-direction:column;height:calc(100vh - 64px)}
#log{flex:1;overflow-y:auto;padding:16px}
.msg{margin:10px 0;display:flex}
.msg.user{justify-content:flex-end}
.bubble{max-width:85%;padding:10px 12px;border-radius:10px;line-height:1.6;white-space:pre-wrap;word-break:break-word}
.user .bubble{background:#c8161d;color:#fff}
.bot .bubble{background:#fff;border:1px solid #e3e6eb}
.cite{margin-top:8px;padding:8px;border-left:3px solid #c8161d;background:#fafafa;font-size:13px}
.cite a{color:#0b57d0}
.opts{margin-top:8px;display:flex;flex-wrap:wrap;gap:6px}
.opts button{border:1px solid #c8161d;background:#fff;color:#c8161d;border-radius:14px;padding:4px 10px;cursor:pointer}
.fb{margin-top:6px;font-size:12px;color:#888}
.fb button{border:1px solid #e3e6eb;background:#fff;border-radius:12px;cursor:pointer;font-size:13px;margin-left:6px;padding:1px 8px}
.case{margin-top:6px;font-size:13px;color:#0b57d0}
form{display:flex;gap:8px;padding:12px;border-top:1px solid #e3e6eb;background:#fff}
textarea{flex:1;resize:none;height:44px;padding:10px;border:1px solid #ccd;border-radius:8px;font:inherit}
form button{background:#c8161d;color:#fff;border:none;border-radius:8px;padding:0 18px;font-size:15px}
.hint{font-size:12px;color:#888;padding:0 16px 8px}
`;

export const CHAT_JS = `
(function(){
  var log=document.getElementById('log'),form=document.getElementById('f'),input=document.getElementById('m');
  var sid=localStorage.getItem('yhd_sid')||'';
  function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e;}
  function add(role,reply){
    var row=el('div','msg '+role),b=el('div','bubble',reply.text);
    (reply.citations||[]).forEach(function(c){
      var d=el('div','cite');
      var t=el(c.url?'a':'span',null,'《'+c.title+'》'+(c.doc_no?' '+c.doc_no:''));
      if(c.url){t.href=c.url;t.target='_blank';t.rel='noopener';}
      d.appendChild(t);
      var meta=[c.issuer,c.published,c.section].filter(Boolean).join(' · ');
      if(meta)d.appendChild(el('div',null,meta));
      b.appendChild(d);
    });
    if(reply.caseNumber)b.appendChild(el('div','case','工单编号：'+reply.caseNumber));
    if(reply.turn&&reply.citations&&reply.citations.length){
      var fb=el('div','fb','这个回答有帮助吗？');
      [['👍',true,'有用'],['👎',false,'没用']].forEach(function(x){
        var btn=el('button',null,x[0]+' '+x[2]);btn.type='button';btn.title=x[2];btn.setAttribute('aria-label',x[2]);
        btn.onclick=function(){
          fetch('/api/feedback',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({sessionId:sid,turn:reply.turn,useful:x[1]})})
            .then(function(r){fb.textContent=r.ok?'感谢您的反馈！':'反馈提交失败，请稍后再试。';})
            .catch(function(){fb.textContent='反馈提交失败，请稍后再试。';});
        };
        fb.appendChild(btn);
      });
      b.appendChild(fb);
    }
    if(reply.options&&reply.options.length){
      var o=el('div','opts');
      reply.options.forEach(function(opt,i){var x=el('button',null,(i+1)+'. '+opt);x.type='button';x.onclick=function(){send(String(i+1));};o.appendChild(x);});
      b.appendChild(o);
    }
    row.appendChild(b);log.appendChild(row);log.scrollTop=log.scrollHeight;return b;
  }
  function send(text){
    add('user',{text:text});
    fetch('/api/chat',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(sid?{sessionId:sid,message:text}:{message:text})})
      .then(function(r){return r.json();})
      .then(function(d){
        if(d.error){add('bot',{text:d.error.message});return;}
        sid=d.sessionId;localStorage.setItem('yhd_sid',sid);
        (d.replies||[d.reply]).forEach(function(r){r.turn=d.turn;add('bot',r);});
      })
      .catch(function(){add('bot',{text:'网络连接出现问题，请稍后再试。'});});
  }
  form.addEventListener('submit',function(e){e.preventDefault();var t=input.value.trim();if(!t)return;input.value='';send(t);});
  input.addEventListener('keydown',function(e){if(e.key==='Enter'&&!e.shiftKey){e.preventDefault();form.requestSubmit();}});
  add('bot',{text:'您好！我是牡丹区政策咨询助手“一号答”。可以问我政策问题，也可以反映诉求、投诉、举报或提建议。'});
  // Late messages for this session (a department's reply to a case): poll /api/chat/updates,
  // remembering the last id seen per session so a reload shows only what is new.
  function poll(){
    if(!sid||document.hidden)return;
    var k='yhd_seen_'+sid,seen=localStorage.getItem(k)||'';
    fetch('/api/chat/updates?sessionId='+encodeURIComponent(sid)+(seen?'&after='+encodeURIComponent(seen):''))
      .then(function(r){return r.ok?r.json():null;})
      .then(function(d){
        if(!d)return;
        (d.messages||[]).forEach(function(m){add('bot',{text:m.text,caseNumber:m.caseNumber});});
        if(d.last)localStorage.setItem(k,d.last);
      })
      .catch(function(){});
  }
  setInterval(poll,15000);poll();
})();
`;

export const CHAT_HTML = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>一号答 · 牡丹区政策咨询</title>
<link rel="stylesheet" href="/assets/chat.css"></head>
<body><header><h1>一号答 · 牡丹区政策咨询</h1><p>政策一号答，诉求一站办 · 12345政务服务便民热线</p></header>
<main><div id="log" aria-live="polite"></div>
<div class="hint">请勿在对话中填写身份证号、银行卡号等敏感信息。</div>
<form id="f"><textarea id="m" maxlength="2000" placeholder="请输入您的问题，例如：怎么申请政府信息公开？" aria-label="输入问题"></textarea><button type="submit">发送</button></form></main>
<script src="/assets/chat.js"></script></body></html>`;
