// Renders /api/v1/openapi.json as a list of operations; served by the api itself, nothing from a CDN.
;(async () => {
  const doc = await (await fetch('openapi.json')).json()
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
    for (const k of kids) e.append(k)
    return e
  }
  document.getElementById('info').textContent = `${doc.info.description} — version ${doc.info.version}, OpenAPI ${doc.openapi}`
  const ops = document.getElementById('ops')
  ops.textContent = ''
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const summary = el('summary', {}, el('span', { class: `m ${method}` }, method), ' ', el('code', {}, path), ' — ', op.summary ?? '')
      if (op.security && op.security.length === 0) summary.append(el('span', { class: 'open' }, 'no token'))
      const d = el('details', {}, summary)
      if (op.parameters?.length) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'required'), el('th', {}, 'schema')))
        for (const p of op.parameters) t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.required ? 'yes' : ''), el('td', {}, JSON.stringify(p.schema))))
        d.append(t)
      }
      if (op.requestBody) d.append(el('div', {}, ' body:'), el('pre', {}, JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)))
      const ok = op.responses?.['200']?.content?.['application/json']?.schema
      if (ok) d.append(el('div', {}, ' 200:'), el('pre', {}, JSON.stringify(ok, null, 2)))
      ops.append(d)
    }
  }
})().catch((err) => {
  document.getElementById('ops').textContent = `Could not load the document: ${err}`
})
