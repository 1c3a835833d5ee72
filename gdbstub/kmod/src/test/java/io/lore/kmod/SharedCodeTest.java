package io.lore.kmod;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The user-space tests of lore.ko's shared C code (kmod/test: the circular buffer, the
 * record encoding, the branch-counter arithmetic), compiled as ordinary C with warnings as
 * errors and sanitizers, and run; each C test case is one result here.
 */
class SharedCodeTest {
    private static final String[] PROGRAMS = { "ring_test", "record_test", "branch_test" };

    @TestFactory
    List<DynamicTest> sharedCodeTests() throws Exception {
        Path out = Path.of("target", "ctest").toAbsolutePath();
        CTests.Run build = CTests.run(CTests.kmod().resolve("test"), 300, "make", "-s", "OUT=" + out, "all");
        List<DynamicTest> tests = new ArrayList<>();
        if (build.status() != 0) {
            tests.add(DynamicTest.dynamicTest("shared_code_compiles", () -> org.junit.jupiter.api.Assertions.fail(
                    "make -C kmod/test failed:\n" + CTests.tail(build.output(), 40))));
            return tests;
        }
        for (String p : PROGRAMS) {
            CTests.Run r = CTests.run(out.toFile().toPath(), 300, out.resolve(p).toString());
            tests.addAll(CTests.fromOutput(p, r, 5));
        }
        return tests;
    }
}
