// GET /api/v1/tags/{type}/{tag} — one device tag (type gpu, vgpu or sriov; the tag may contain
// slashes, e.g. /api/v1/tags/vgpu/NVIDIA%20Tesla%20M60/M60-2Q). Viewers and up.
import { answer, caller } from "@/lib/server/api-v1/handlers";
import { tagByName } from "@/lib/server/api-v1/resources";
import { DEVICE_TYPES, ZTag } from "@/lib/server/api-v1/schemas";
import { HttpError, withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export const GET = withProblems("v1.tags.get", async (req: Request, ctx: { params: Promise<{ type: string; name: string[] }> }) => {
  await caller(req, "viewer");
  const { type, name } = await ctx.params;
  if (!(DEVICE_TYPES as readonly string[]).includes(type)) throw new HttpError(400, "type must be gpu, vgpu or sriov", { type: ["type must be gpu, vgpu or sriov"] });
  return answer(ZTag, await tagByName(type, name.map(decode).join("/")));
});
