// The Dabba bill page: fetches bills from the API with the bearer token and renders them with DOM calls only
// (textContent, never innerHTML), so nothing from the data is ever interpreted as markup.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  let nextCursor = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function status(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  function rupees(s) { return 'Rs ' + s; }

  async function api(path) {
    const token = $('token').value.trim();
    sessionStorage.setItem('dabba.token', token);
    const response = await fetch('api/v1/' + path, { headers: { 'Authorization': 'Bearer ' + token } });
    const body = await response.json();
    if (!response.ok) {
      const e = body.error || {};
      throw new Error(response.status + ' ' + (e.code || '') + ': ' + (e.message || 'request failed'));
    }
    return body;
  }

  // Happens-before between two vector clocks given as {node: counter}: 'before', 'after', 'equal' or 'concurrent'.
  function compare(a, b) {
    let less = false, greater = false;
    for (const n of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = a[n] || 0, y = b[n] || 0;
      if (x < y) less = true;
      if (x > y) greater = true;
    }
    if (less && greater) return 'concurrent';
    if (less) return 'before';
    if (greater) return 'after';
    return 'equal';
  }

  function unitText(amount, unit) {
    if (unit === 'B') {
      const units = [['GiB', 1073741824], ['MiB', 1048576], ['KiB', 1024]];
      for (const [name, size] of units) if (amount >= size) return (amount / size).toFixed(2) + ' ' + name;
      return amount + ' B';
    }
    return amount + ' ' + unit;
  }

  function breakdown(line) {
    const interesting = line.segments.length > 1 || line.segments.some((s) =>
      s.window || s.tierFrom > 0 || s.bundle || s.connectFee !== '0' || s.charged !== s.quantity);
    if (!interesting) return null;
    const rows = line.segments.map((s) => el('tr', {},
      el('td', {}, unitText(s.offset, line.quantity.unit)),
      el('td', { class: 'num' }, unitText(s.quantity, line.quantity.unit)),
      el('td', { class: 'num' }, unitText(s.charged, line.quantity.unit)),
      el('td', {}, s.window || 'any time'),
      el('td', {}, s.tierFrom === 0 ? 'first' : 'from ' + unitText(s.tierFrom, line.quantity.unit)),
      el('td', { class: 'num' }, s.price + ' / ' + s.rateUnitText),
      el('td', {}, s.bundle ? s.bundle + ' (' + unitText(s.bundleUsed, line.quantity.unit) + ')' : '-'),
      el('td', { class: 'num' }, s.connectFee),
      el('td', { class: 'num' }, s.exactPaisa)));
    return el('details', {}, el('summary', {}, 'Rating breakdown (' + line.segments.length + ' segment'
        + (line.segments.length === 1 ? '' : 's') + ', exact ' + line.exactPaisa + ' paisa)'),
      el('table', { class: 'segments' },
        el('thead', {}, el('tr', {}, ...['From', 'Usage', 'Charged', 'Window', 'Tier', 'Price (paisa)', 'Bundle',
          'Connect fee', 'Exact paisa'].map((h) => el('th', {}, h)))),
        el('tbody', {}, ...rows)));
  }

  function renderBill(bill) {
    $('bill-title').textContent = 'Bill of ' + bill.subscriber + ' for ' + bill.cycle;
    $('bill-meta').textContent = 'Version ' + bill.version + ' \u00b7 ' + bill.status + ' \u00b7 tariff '
      + bill.tariffId + ' \u00b7 ' + bill.eventCount + ' events in causal order \u00b7 updated ' + bill.updatedAt;
    $('calls').textContent = rupees(bill.calls);
    $('sms').textContent = rupees(bill.sms);
    $('data').textContent = rupees(bill.data);
    $('total').textContent = rupees(bill.total);
    const timeline = $('timeline');
    timeline.replaceChildren();
    bill.lines.forEach((line, i) => {
      if (i > 0) {
        const previous = bill.lines[i - 1];
        const relation = compare(previous.clock, line.clock);
        const handover = previous.tower !== line.tower;
        const text = relation === 'before'
          ? '\u2193 happened after #' + previous.position + (handover ? ' (handover ' + previous.tower + ' \u2192 '
            + line.tower + ')' : '')
          : '\u2225 concurrent with #' + previous.position + ': neither tower knew of the other\'s record';
        timeline.append(el('li', { class: 'link ' + (relation === 'before' ? (handover ? 'handover' : '')
          : 'concurrent') }, text));
      }
      const item = el('li', { class: 'event' + (line.concurrent ? ' concurrent' : ''), 'data-event': line.eventId },
        el('div', { class: 'row' },
          el('span', { class: 'position' }, '#' + line.position),
          el('span', { class: 'tower' }, line.tower),
          el('span', { class: 'service' }, line.service),
          el('span', { class: 'quantity' }, line.quantity.text),
          el('span', { class: 'counterparty' }, line.counterparty ? '\u2192 ' + line.counterparty : ''),
          el('span', { class: 'start' }, line.start),
          line.concurrent ? el('span', { class: 'flag' }, 'concurrent') : '',
          el('span', { class: 'amount' }, rupees(line.amount))),
        el('div', { class: 'row' },
          el('span', { class: 'clock' }, line.clockText),
          el('span', { class: 'event-id' }, line.eventId),
          el('span', { class: 'hlc' }, 'HLC ' + line.hlc)));
      const details = breakdown(line);
      if (details) item.append(details);
      timeline.append(item);
    });
    const bundles = $('bundles').querySelector('tbody');
    bundles.replaceChildren(...bill.bundles.map((b) => el('tr', {}, el('td', {}, b.bundle),
      el('td', { class: 'num' }, unitText(b.allowance, b.unit)), el('td', { class: 'num' }, unitText(b.used, b.unit)),
      el('td', { class: 'num' }, unitText(b.remaining, b.unit)))));
    $('bundles-box').hidden = bill.bundles.length === 0;
    $('bill').hidden = false;
  }

  function renderVersions(history) {
    $('versions').replaceChildren(...history.versions.map((v) => el('li', {},
      'Version ' + v.version + (v.previousVersion ? ' (replaced ' + v.previousVersion + ')' : '') + ': '
        + rupees(v.total) + ', ' + v.lineCount + ' lines, recorded ' + v.recordedAt,
      el('ul', {}, ...v.changes.map((c) => el('li', {}, c.kind.toLowerCase() + ' ' + c.eventId
        + (c.kind === 'REPRICED' ? ': ' + rupees(c.oldAmount) + ' \u2192 ' + rupees(c.newAmount)
          : c.kind === 'ADDED' ? ' at #' + c.newPosition + ': ' + rupees(c.newAmount) : '')))))));
  }

  async function showBill(subscriber, cycle) {
    status('Loading ' + subscriber + ' ...');
    try {
      const who = encodeURIComponent(subscriber.trim());
      const bill = await api('subscribers/' + who + '/bills/' + encodeURIComponent(cycle || 'latest'));
      renderBill(bill);
      renderVersions(await api('subscribers/' + who + '/bills/' + bill.cycle + '/versions'));
      status('Bill version ' + bill.version + ' loaded.');
    } catch (e) {
      $('bill').hidden = true;
      status(e.message, true);
    }
  }

  async function listBills(append) {
    status('Loading bills ...');
    try {
      const params = new URLSearchParams({ limit: '20' });
      const cycle = $('cycle').value.trim();
      if (cycle) params.set('cycle', cycle);
      const who = $('subscriber').value.trim();
      if (who) params.set('subscriberPrefix', who);
      if (append && nextCursor) params.set('cursor', nextCursor);
      const page = await api('bills?' + params.toString());
      const body = $('bill-list').querySelector('tbody');
      if (!append) body.replaceChildren();
      for (const b of page.items) {
        const row = el('tr', { 'data-subscriber': b.subscriber, 'data-cycle': b.cycle },
          el('td', {}, b.subscriber), el('td', {}, b.cycle), el('td', {}, b.version), el('td', {}, b.status),
          el('td', {}, b.lineCount), el('td', { class: 'num' }, rupees(b.total)));
        row.addEventListener('click', () => showBill(b.subscriber, b.cycle));
        body.append(row);
      }
      nextCursor = page.nextCursor;
      $('more').hidden = !nextCursor;
      $('bills').hidden = false;
      status(body.children.length + ' bills listed' + (nextCursor ? '; more available.' : '.'));
    } catch (e) {
      status(e.message, true);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('token').value = sessionStorage.getItem('dabba.token') || '';
    $('lookup').addEventListener('submit', (event) => {
      event.preventDefault();
      showBill($('subscriber').value, $('cycle').value.trim());
    });
    $('list').addEventListener('click', () => listBills(false));
    $('more').addEventListener('click', () => listBills(true));
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get('subscriber')) {
      $('subscriber').value = params.get('subscriber');
      $('cycle').value = params.get('cycle') || '';
      if ($('token').value) showBill($('subscriber').value, $('cycle').value);
    }
  });
}());
