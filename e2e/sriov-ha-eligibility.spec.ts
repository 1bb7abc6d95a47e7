// Story: an SR-IOV VM with no spare tagged VF on another host is not HA-eligible; tagging
// another host's NIC with its tag makes it eligible.
import { expect, test } from "@playwright/test";
import { HostEditPage } from "./pages/host-edit-page";
import { VmPage } from "./pages/console";

const VM = "trade-risk-01"; // on kvm-a04, one VF tagged trading-b
const TAG = "trading-b";
const OTHERS = [
  { host: "kvm-a03", nic: "ens1f0" },
  { host: "kvm-b03", nic: "ens1f1" },
];

test("tagging another host's NIC makes an SR-IOV VM HA-eligible", async ({ page }) => {
  test.setTimeout(90_000);
  const edit = new HostEditPage(page);
  // No other host keeps a trading-b NIC: retag them.
  for (const o of OTHERS) {
    await edit.openFor(o.host);
    await edit.setTag(o.nic, "trading-spare");
    await expect(edit.tagSaved(o.nic)).toBeVisible();
  }
  const vm = new VmPage(page);
  await vm.open(VM);
  await expect(vm.haEligibility()).toHaveText("Not HA-eligible");
  await expect(page.getByTestId("ha-ineligible-reasons")).toContainText(TAG);

  // Tag one other host's NIC: a spare tagged VF exists again. The preview says so before saving.
  await edit.openFor(OTHERS[0].host);
  await expect(edit.tagForm(OTHERS[0].nic)).toHaveAttribute("data-ready", "true");
  await edit.tagInput(OTHERS[0].nic).fill(TAG);
  await edit.tagForm(OTHERS[0].nic).getByRole("button", { name: "Set tag…" }).click();
  const preview = edit.retagPreview(OTHERS[0].nic);
  await expect(preview).toContainText(`"trading-spare" → "${TAG}"`);
  await expect(preview.getByTestId("nic-retag-tags")).toContainText(new RegExp(`VFs tagged "${TAG}" in the cluster: (\\d+) → (\\d+)`));
  await expect(preview.getByTestId("nic-retag-flips")).toContainText(`${VM} becomes HA-eligible`);
  await edit.tagForm(OTHERS[0].nic).getByRole("button", { name: "Save tag" }).click();
  await expect(edit.tagSaved(OTHERS[0].nic)).toBeVisible();
  await vm.open(VM);
  await expect(vm.haEligibility()).toHaveText("Qualifies for HA");

  // Put the second NIC back as the demo had it.
  await edit.openFor(OTHERS[1].host);
  await edit.setTag(OTHERS[1].nic, TAG);
  await expect(edit.tagSaved(OTHERS[1].nic)).toBeVisible();
});
