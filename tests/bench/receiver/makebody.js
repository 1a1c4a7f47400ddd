// A 10-event Akeneo Events API body of about 5 KB, encoded as PHP does ("/" escaped).
const events = [];
for (let i = 0; i < 10; i++) {
  events.push({
    action: i % 3 ? 'product.updated' : 'product.created',
    event_id: `6ad821d8-2468-4632-89d2-92e442c7${String(1000 + i)}`.padEnd(36, '0'),
    event_datetime: '2026-11-22T10:00:00+00:00',
    author: 'erp_connector_0417',
    author_type: 'api',
    pim_source: 'https://acme-retail.cloud.akeneo.com',
    data: { resource: { uuid: `8a1f5c3e-2d7b-4e91-b6a4-0c9e3f7d2b${String(10 + i)}`, identifier: `TSHIRT-${i}`,
      enabled: true, family: 'clothing', categories: ['master_men_tshirts'], groups: [], parent: null,
      values: { name: [{ locale: 'en_US', scope: null, data: 'Organic T-shirt' }] },
      created: '2026-11-22T10:00:00+00:00', updated: '2026-11-22T10:00:00+00:00' } },
  });
}
process.stdout.write(JSON.stringify({ events }).replace(/\//g, '\\/'));
