// Writes a brotli (.br) and a gzip (.gz) copy beside each text file of the build, so the server
// sends the smallest one the browser takes (server/api/pwa.py) without compressing per request.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

// Keep in step with server/api/encoding.py COMPRESSIBLE.
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|webmanifest|json|txt)$/;
// Below about one TCP packet a compressed copy saves no round trip and costs a header.
const MIN_BYTES = 256;

/** Every file under dir, skipping dot folders (Vite's .vite/ manifest is not served). */
async function* filesUnder(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

/** Compress every text file under dist; return how many bytes each encoding totals. */
export async function compressBuild(dist) {
  const totals = { identity: 0, gzip: 0, br: 0, files: 0 };
  for await (const path of filesUnder(dist)) {
    if (!COMPRESSIBLE.test(path)) continue;
    const raw = await readFile(path);
    if (raw.length < MIN_BYTES) continue;
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    const gz = gzipSync(raw, { level: 9 });
    // A copy that is not smaller is not written: the server then sends the file as it is.
    if (br.length < raw.length) await writeFile(`${path}.br`, br);
    if (gz.length < raw.length) await writeFile(`${path}.gz`, gz);
    totals.identity += raw.length;
    totals.gzip += Math.min(gz.length, raw.length);
    totals.br += Math.min(br.length, raw.length);
    totals.files += 1;
  }
  return totals;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL("../dist", import.meta.url));
  const t = await compressBuild(dist);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `compressed ${t.files} files in ${relative(process.cwd(), dist) || "."}: ` +
      `${kib(t.identity)} -> gzip ${kib(t.gzip)}, brotli ${kib(t.br)}`,
  );
}
