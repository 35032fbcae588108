// Fails when src/services/api-types.ts is not what openapi.json generates (run `npm run gen:api`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'api-types-'));
const fresh = join(dir, 'api-types.ts');
try {
  execFileSync('npx', ['openapi-typescript', 'openapi.json', '-o', fresh], { stdio: 'ignore' });
  const formatted = execFileSync(
    'npx',
    ['prettier', '--stdin-filepath', 'src/services/api-types.ts'],
    {
      input: readFileSync(fresh, 'utf8'),
      encoding: 'utf8',
    },
  );
  const committed = readFileSync('src/services/api-types.ts', 'utf8');
  if (formatted !== committed) {
    console.error(
      'src/services/api-types.ts is out of date with openapi.json: run `npm run gen:api`.',
    );
    process.exit(1);
  }
  console.log('api-types.ts matches openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
