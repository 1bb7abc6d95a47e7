import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Haven", template: "%s · Haven" },
  description: "Haven: KVM cluster console with GPU, vGPU and SR-IOV aware high availability",
};

export const viewport: Viewport = { themeColor: "#18181b" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans text-[13px] leading-5">{children}</body>
    </html>
  );
}
