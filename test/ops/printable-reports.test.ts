import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { printableReportsRoute } from '../../gateway/printable-reports';

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the gateway route to printable reports', () => {
  const seen: string[] = [];
  let reports: Awaited<ReturnType<typeof listen>>;
  let gateway: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    reports = await listen((req, res) => {
      seen.push(req.url ?? '');
      res.statusCode = req.url?.includes('code=right') ? 200 : 404;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(res.statusCode === 200 ? '<h1>北戴河区公共信用信息报告</h1>' : 'not found');
    });
    const route = printableReportsRoute(`${reports.url}/graphql`);
    gateway = await listen(async (req, res) => {
      if (!(await route(req, res))) {
        res.statusCode = 418;
        res.end();
      }
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await reports?.close();
  });

  it('passes a report page and its verification code to the reports service', async () => {
    const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('公共信用信息报告');
    expect(seen).toContain('/reports/BDHXY-20261125-ABCD1234.html?code=right');
  });

  it('keeps the reports service’s refusal of a wrong code', async () => {
    expect((await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=wrong`)).status).toBe(404);
  });

  it.each(['/reports/../graphql', '/reports/x.json', '/other'])('does not answer %s', async (path) => {
    expect((await fetch(`${gateway.url}${path}`)).status).toBe(418);
  });
});
