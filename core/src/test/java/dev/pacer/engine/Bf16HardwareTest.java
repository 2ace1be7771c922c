package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** /proc/cpuinfo excerpts of the CPU families the rule in docs/precision.md names. */
class Bf16HardwareTest {

    private static String x86(String model, String flags) {
        return "processor\t: 0\nvendor_id\t: X\nmodel name\t: " + model + "\nflags\t\t: " + flags
                + "\n\nprocessor\t: 1\nmodel name\t: " + model + "\nflags\t\t: " + flags + "\n";
    }

    @Test
    void avx512Bf16OrAmxBf16IsANativePath() {
        Bf16Hardware zen4 = Bf16Hardware.fromCpuinfo(
                x86("AMD EPYC 9R14", "fpu sse2 avx2 avx512f avx512bw avx512_bf16 avx512_vnni"));
        assertTrue(zen4.nativeBf16());
        assertEquals("AMD EPYC 9R14: avx512_bf16", zen4.describe());
        Bf16Hardware spr = Bf16Hardware.fromCpuinfo(
                x86("Intel(R) Xeon(R) Platinum 8480+", "avx2 avx512f amx_bf16 amx_tile amx_int8"));
        assertTrue(spr.nativeBf16());
        assertEquals("amx_bf16", spr.evidence());
    }

    @Test
    void avx2OrPlainAvx512IsNot() {
        Bf16Hardware zen3 = Bf16Hardware.fromCpuinfo(x86("AMD EPYC 7R13", "fpu sse2 avx fma avx2 bmi2"));
        assertFalse(zen3.nativeBf16());
        assertTrue(zen3.evidence().contains("avx512_bf16"), zen3.evidence());
        // AVX-512 without its BF16 extension (Skylake-SP, Ice Lake): oneDNN converts to fp32
        assertFalse(Bf16Hardware.fromCpuinfo(x86("Intel(R) Xeon(R) Gold 6148", "avx2 avx512f avx512bw avx512vl"))
                .nativeBf16());
        // a flag that merely contains the name is not the flag
        assertFalse(Bf16Hardware.fromCpuinfo(x86("X", "avx512_bf16x")).nativeBf16());
    }

    @Test
    void armBf16FeatureIsANativePath() {
        String graviton3 = "processor\t: 0\nBogoMIPS\t: 2100.00\n"
                + "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid"
                + " asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat"
                + " ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 i8mm bf16 dgh rng\n";
        assertTrue(Bf16Hardware.fromCpuinfo(graviton3).nativeBf16());
        String graviton2 = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics"
                + " fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n";
        assertFalse(Bf16Hardware.fromCpuinfo(graviton2).nativeBf16());
    }

    @Test
    void noFlagsMeansNoNativePath() {
        Bf16Hardware none = Bf16Hardware.fromCpuinfo("processor : 0\n");
        assertFalse(none.nativeBf16());
        assertTrue(none.evidence().contains("no CPU flags"), none.evidence());
    }
}
