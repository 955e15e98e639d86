/**
 * The names on the bus, in one place. Per camera, under a site (a lab, a
 * house: one namespace of camera names):
 *
 *   camgw.<site>.<camera>.frames     every frame, headers: index, timestamp, device time, size
 *   camgw.<site>.<camera>.control    request/reply, served by the gateway owning the port
 *   CAMGW_<site>_<camera>            the memory-backed stream keeping the last frames
 *   camgw-<site> (KV), key <camera>  the camera's status, about once a second
 */

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** A site name: the same characters as a camera name (valid in subjects, streams and buckets alike). */
export function checkSiteName(site: string): string {
  if (!NAME.test(site)) throw new Error(`must be 1-32 letters, digits, "-" or "_", got "${site}"`);
  return site;
}

export interface CameraSubjects {
  readonly frames: string;
  readonly control: string;
  readonly stream: string;
}

export function cameraSubjects(site: string, camera: string): CameraSubjects {
  return {
    frames: `camgw.${site}.${camera}.frames`,
    control: `camgw.${site}.${camera}.control`,
    stream: `CAMGW_${site}_${camera}`,
  };
}

/** Every camera's frames of a site (what a relay subscribes to). */
export function siteFrames(site: string): string {
  return `camgw.${site}.*.frames`;
}

/** The camera a frames subject of `site` belongs to, or undefined for another subject. */
export function cameraOfSubject(subject: string, site: string): string | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'camgw' || parts[1] !== site || parts[3] !== 'frames')
    return undefined;
  return NAME.test(parts[2]!) ? parts[2] : undefined;
}

/** The KV bucket holding a site's camera status. */
export function statusBucket(site: string): string {
  return `camgw-${site}`;
}
