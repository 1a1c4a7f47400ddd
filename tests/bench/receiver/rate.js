// Posts a body to a URL at a fixed rate (an open loop, as a PIM sends: not waiting for answers to send the next),
// over keep-alive connections, with the headers given; prints what was sent and how it was answered.
// Usage: node rate.js URL RATE SECONDS BODY_FILE [Header: value ...]
const http = require('http');
const fs = require('fs');
const [url, rate, seconds, bodyFile, ...headerArgs] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
for (const h of headerArgs) {
  const colon = h.indexOf(':');
  headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const total = Number(rate) * Number(seconds);
let sent = 0, answered = 0, non2xx = 0, failed = 0;
const start = process.hrtime.bigint();
function post() {
  sent++;
  const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
    res.resume();
    res.on('end', () => { answered++; if (res.statusCode < 200 || res.statusCode > 299) non2xx++; done(); });
  });
  req.on('error', () => { failed++; done(); });
  req.end(body);
}
function done() {
  if (answered + failed === total) {
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`sent ${sent} in ${secs.toFixed(2)} s (${(sent / secs).toFixed(0)}/s), non-2xx ${non2xx}, failed ${failed}`);
    agent.destroy();
  }
}
// Every millisecond, what is due by now: the rate holds whatever the timer's granularity.
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / 1e9 * Number(rate)));
  while (sent < due) post();
  if (sent >= total) clearInterval(timer);
}, 1);
