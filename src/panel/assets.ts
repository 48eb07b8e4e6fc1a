/**
 * Panel CSS and scripts as string modules, so Node and Workers serve them without a file system.
 * No inline scripts or styles anywhere: the CSP forbids them. Scripts only ever insert server-
 * rendered (escaped) HTML or set textContent.
 */
export const PANEL_CSS = `
*{box-sizing:border-box}
html{font-size:14px}
body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f8;color:#1f2329;line-height:1.55}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
.top{display:flex;align-items:center;gap:20px;background:#c8161d;color:#fff;padding:0 20px;height:48px}
.top .brand{font-weight:700;font-size:16px;white-space:nowrap}
.top nav{display:flex;gap:4px;flex:1}
.top nav a{color:#fff;padding:6px 12px;border-radius:4px;opacity:.9}
.top nav a.on,.top nav a:hover{background:rgba(255,255,255,.18);opacity:1;text-decoration:none}
.top .who{display:flex;align-items:center;gap:10px;font-size:13px;white-space:nowrap;margin-left:auto}
.top .who form{margin:0}
button{font:inherit;cursor:pointer}
button.link{background:none;border:1px solid rgba(255,255,255,.6);color:#fff;border-radius:4px;padding:2px 10px}
button.primary,a.button{background:#c8161d;color:#fff;border:none;border-radius:4px;padding:7px 16px;display:inline-block}
button.secondary{background:#fff;color:#c8161d;border:1px solid #c8161d;border-radius:4px;padding:5px 12px}
button:disabled{opacity:.5;cursor:default}
.page{padding:16px 20px;max-width:1600px;margin:0 auto}
.card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:14px 16px;margin-bottom:14px}
.card h1{font-size:20px;margin:0 0 8px}.card h2{font-size:16px;margin:0 0 10px}
.narrow{max-width:520px;margin:40px auto}
.login{max-width:380px;margin:60px auto}
.login form{display:flex;flex-direction:column;gap:12px}
label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#4e5969}
input,select,textarea{font:inherit;color:#1f2329;border:1px solid #c9cdd4;border-radius:4px;padding:6px 8px;background:#fff}
textarea{resize:vertical}
.muted{color:#86909c}.small{font-size:12px}
.error{color:#c8161d;background:#fff1f0;border:1px solid #ffccc7;padding:8px 10px;border-radius:4px}
.notice{color:#135200;background:#f6ffed;border:1px solid #b7eb8f;padding:8px 10px;border-radius:4px}
.split{display:grid;grid-template-columns:minmax(0,1fr) 360px;gap:16px;align-items:start}
.split.doc{grid-template-columns:260px minmax(0,1fr)}
.searchbar{display:flex;gap:8px}
.searchbar input{flex:1;font-size:16px;padding:9px 12px}
.filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:flex-end;margin:10px 0 6px}
.filters fieldset{border:none;margin:0;padding:0;display:flex;gap:10px;align-items:center}
.filters legend{float:left;font-size:13px;color:#4e5969;margin-right:6px}
.chk{flex-direction:row;align-items:center;gap:3px;color:#1f2329}
.range{display:flex;align-items:center;gap:4px}
.result{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:12px 14px;margin-bottom:10px}
.result header{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.result .title{font-weight:600;font-size:15px;overflow-wrap:anywhere;min-width:0}
.tag{font-size:12px;padding:1px 6px;border-radius:3px;background:#f2f3f5;color:#4e5969;white-space:nowrap}
.t-policy{background:#e8f3ff;color:#0b57d0}.t-interpretation{background:#fff7e8;color:#b35c00}.t-guide{background:#e8ffea;color:#237804}.t-faq{background:#f5e8ff;color:#722ed1}
.tag.warn{background:#fff1f0;color:#c8161d}
.meta{font-size:12px;color:#86909c;margin:4px 0}
.answer{margin:6px 0;font-size:14px;overflow-wrap:anywhere}
.passage{font-size:13px;color:#4e5969;white-space:pre-wrap}
mark{background:#ffe58f;color:inherit;padding:0 1px;border-radius:2px}
details summary{cursor:pointer;font-size:12px;color:#0b57d0}
.links{font-size:13px;margin-top:4px}.links a{margin-right:8px}
.actions{display:flex;gap:8px;margin-top:8px}
.actions button{background:#fff;border:1px solid #c9cdd4;border-radius:4px;padding:3px 10px;font-size:13px}
.actions button.done{border-color:#52c41a;color:#237804}
#case-form{display:flex;flex-direction:column;gap:8px;position:sticky;top:12px}
.row2{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.outline{position:sticky;top:12px;max-height:calc(100vh - 90px);overflow:auto}
.outline ol{list-style:none;margin:0;padding:0;font-size:13px}
.outline li{margin:3px 0}.outline .d2{padding-left:10px}.outline .d3{padding-left:20px}.outline .d4{padding-left:30px}
.docbody h3{font-size:15px;margin:16px 0 6px}
.docbody section:target{background:#fffbe6}
table.grid{width:100%;border-collapse:collapse;background:#fff;font-size:13px}
table.grid th,table.grid td{border-bottom:1px solid #e5e6eb;padding:7px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.grid th{background:#f7f8fa;color:#4e5969;font-weight:600;white-space:nowrap}
table.grid tr:hover td{background:#fafbfc}
.due{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap}
.due.ok{background:#e8ffea;color:#237804}.due.soon{background:#fff7e8;color:#b35c00}.due.over{background:#fff1f0;color:#c8161d;font-weight:600}.due.done{background:#f2f3f5;color:#86909c}
.toolbar{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;margin-bottom:12px}
.kv{display:grid;grid-template-columns:90px 1fr;gap:4px 10px;font-size:13px}
.kv dt{color:#86909c}.kv dd{margin:0;white-space:pre-wrap;word-break:break-word}
.trail{list-style:none;padding:0;margin:0;font-size:13px}
.trail li{border-left:2px solid #e5e6eb;padding:2px 0 8px 10px;margin-left:4px}
.acts form{display:flex;flex-direction:column;gap:6px;border-top:1px dashed #e5e6eb;padding-top:10px;margin-top:10px}
.acts form.inline{flex-direction:row;align-items:flex-end}
.excerpt{font-size:13px;background:#f7f8fa;padding:8px;border-radius:4px;white-space:pre-wrap;word-break:break-word}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.chart{height:300px;width:100%}
.stats{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:14px}
a.stat{color:inherit;text-decoration:none}a.stat:hover{border-color:#c8161d}
.stat{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:10px 16px;min-width:140px}
.stat b{display:block;font-size:22px;color:#c8161d}
.rise{color:#c8161d;font-weight:600}
.nowrap{white-space:nowrap}
.inline-form{display:inline;margin-left:8px}
button.small{font-size:12px;padding:1px 8px}
.card h3{font-size:14px;margin:14px 0 6px}
.excerpt.reply{background:#f6ffed;border-left:3px solid #52c41a;margin-bottom:6px}
`;

/**
 * Panel behaviour: search-as-you-type (debounced, swaps in the server-rendered fragment), copy
 * answer, prefilling the case form, confirmations.
 */
export const PANEL_JS = `
(function(){
  var form=document.getElementById('search'),results=document.getElementById('results');
  if(form&&results){
    var timer=null,seq=0;
    function params(){var fd=new FormData(form),u=new URLSearchParams();fd.forEach(function(v,k){if(v!=='')u.append(k,String(v));});return u.toString();}
    function run(){
      var qs=params(),my=++seq;
      history.replaceState(null,'','/panel'+(qs?'?'+qs:''));
      fetch('/panel/results?'+qs,{headers:{accept:'text/html'},credentials:'same-origin'})
        .then(function(r){if(r.status===401||r.redirected){location.href='/login';return null;}return r.text();})
        .then(function(html){if(html!=null&&my===seq){results.innerHTML=html;results.setAttribute('data-q',new URLSearchParams(qs).get('q')||'');}})
        .catch(function(){});
    }
    function later(){clearTimeout(timer);timer=setTimeout(run,250);}
    // Chinese is typed through an IME: skip the pinyin keystrokes, search when a word is chosen.
    form.addEventListener('input',function(e){if(e.isComposing)return;if(e.target&&e.target.name==='q')later();else run();});
    form.addEventListener('compositionend',function(e){if(e.target&&e.target.name==='q')later();});
    form.addEventListener('submit',function(e){e.preventDefault();clearTimeout(timer);run();});
    var q=document.getElementById('q'),cf=document.getElementById('case-form');
    if(q&&cf){q.addEventListener('input',function(){var s=cf.querySelector('[name=summary]');if(s&&!s.dataset.touched)s.value=q.value;});
      var s=cf.querySelector('[name=summary]');if(s)s.addEventListener('input',function(){s.dataset.touched='1';});}
  }
  function copyText(text){
    if(navigator.clipboard&&window.isSecureContext)return navigator.clipboard.writeText(text);
    return new Promise(function(ok,fail){var t=document.createElement('textarea');t.value=text;t.setAttribute('readonly','');t.style.position='fixed';t.style.opacity='0';document.body.appendChild(t);t.select();
      try{document.execCommand('copy')?ok():fail();}catch(e){fail(e);}document.body.removeChild(t);});
  }
  document.addEventListener('click',function(e){
    var b=e.target&&e.target.closest?e.target.closest('button'):null;if(!b)return;
    if(b.classList.contains('copy')){
      copyText(b.getAttribute('data-copy')||'').then(function(){b.textContent='已复制';b.classList.add('done');setTimeout(function(){b.textContent='复制答复口径';b.classList.remove('done');},2000);},
        function(){b.textContent='复制失败，请手动选择';});
    }
    if(b.classList.contains('make-case')){
      var cf=document.getElementById('case-form');if(!cf)return;
      var set=function(n,v){var x=cf.querySelector('[name='+n+']');if(x&&v!=null)x.value=v;};
      set('summary',b.getAttribute('data-summary'));set('department',b.getAttribute('data-dept'));set('cite',b.getAttribute('data-cite'));
      var c=cf.querySelector('[name=caller]');if(c)c.focus();
    }
  });
  document.addEventListener('submit',function(e){
    var f=e.target,msg=f&&f.getAttribute?f.getAttribute('data-confirm'):null;
    if(msg&&!confirm(msg))e.preventDefault();
  });
})();
`;

/**
 * Dashboard charts: every element with `data-chart` holds an ECharts option as JSON (escaped by
 * the server). Rendering is marked with `data-rendered` so tests can wait for it.
 */
export const CHARTS_JS = `
(function(){
  if(!window.echarts)return;
  document.querySelectorAll('[data-chart]').forEach(function(el){
    var opt=JSON.parse(el.getAttribute('data-chart')||'{}');
    var chart=echarts.init(el,null,{renderer:'canvas'});
    chart.setOption(opt);
    el.setAttribute('data-rendered','1');
    window.addEventListener('resize',function(){chart.resize();});
  });
})();
`;
