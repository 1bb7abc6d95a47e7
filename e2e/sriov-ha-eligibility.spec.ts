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

  // Tag one other host's NIC: a spare tagged VF exists again.
  await edit.openFor(OTHERS[0].host);
  await edit.setTag(OTHERS[0].nic, TAG);
  await expect(edit.tagSaved(OTHERS[0].nic)).toBeVisible();
  await vm.open(VM);
  await expect(vm.haEligibility()).toHaveText("Qualifies for HA");

  // Put the second NIC back as the demo had it.
  await edit.openFor(OTHERS[1].host);
  await edit.setTag(OTHERS[1].nic, TAG);
  await expect(edit.tagSaved(OTHERS[1].nic)).toBeVisible();
});
