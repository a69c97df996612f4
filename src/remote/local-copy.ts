/**
 * `report`, `compare` and `estimate` read S3 objects as they read local files: each object is
 * copied (gunzipped when `.gz`) to a private temporary file, removed when the process exits, and
 * named by its URI in messages and in `report --by job`. A prefix or glob gives every results
 * object under it (the hidden `.run-batch/` checkpoints are skipped), in key order.
 */
import { rmSync } from 'node:fs';
import { s3Client } from './client.js';
import { fetchInput, listObjects } from './input.js';
import { isS3Uri, s3UriOf } from './uri.js';

const uris = new Map<string, string>();
let dirs: string[] | undefined;

/** A local path for a path or an S3 URI (a local path is returned as it is). */
export async function localCopyOf(pathOrUri: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await localCopiesOf(pathOrUri, env))[0] as string;
}

/**
 * A run's input as the run reads it (src/remote/input.ts): one object, or every data object of a
 * prefix or glob joined into one file, so `estimate` and `show-request` see the rows a run would.
 */
export async function inputCopyOf(pathOrUri: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!isS3Uri(pathOrUri)) return pathOrUri;
  const s3 = s3Client({ env });
  try {
    const copy = await fetchInput(s3, pathOrUri);
    remember(copy.path.slice(0, copy.path.lastIndexOf('/')));
    uris.set(copy.path, pathOrUri);
    return copy.path;
  } finally {
    s3.destroy();
  }
}

/** Local paths for a path, an S3 object, or every results object of an S3 prefix or glob. */
export async function localCopiesOf(
  pathOrUri: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (!isS3Uri(pathOrUri)) return [pathOrUri];
  const s3 = s3Client({ env });
  try {
    const paths: string[] = [];
    for (const object of await listObjects(s3, pathOrUri)) {
      const uri = s3UriOf(object.bucket, object.key);
      const copy = await fetchInput(s3, uri);
      // Kept to the end of the process (the command reads it more than once), then removed.
      remember(copy.path.slice(0, copy.path.lastIndexOf('/')));
      uris.set(copy.path, uri);
      paths.push(copy.path);
    }
    return paths;
  } finally {
    s3.destroy();
  }
}

/** The URI a local copy was made from, for messages. */
export const uriOfCopy = (path: string): string | undefined => uris.get(path);

function remember(dir: string): void {
  if (dirs === undefined) {
    dirs = [];
    process.once('exit', () => {
      for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
    });
  }
  dirs.push(dir);
}
