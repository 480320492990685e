#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `C[m×n] = A[m×k] · B[n×k]ᵀ`, every matrix row-major and contiguous: the shape of a linear layer
/// whose weights are stored `[out, in]`, as PyTorch stores them. OpenBLAS's `cblas_sgemm` when the
/// system has it (loaded at run time, so the build needs no system library), else our own kernel.
public struct MatrixMultiply: Sendable {
    public enum Backend: String, Sendable { case openBLAS = "OpenBLAS", swiftSIMD = "Swift SIMD" }

    public let backend: Backend
    private let blas: OpenBLAS?

    /// OpenBLAS if it loads (unless `preferSwift`), else the Swift kernel.
    public init(preferSwift: Bool = false) {
        blas = preferSwift ? nil : OpenBLAS.shared
        backend = blas == nil ? .swiftSIMD : .openBLAS
    }

    public static var openBLASAvailable: Bool { OpenBLAS.shared != nil }

    public func callAsFunction(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int
    ) {
        if let blas {
            // Row-major (101), A as is (111), B transposed (112).
            blas.sgemm(101, 111, 112, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
        } else {
            Self.swiftKernel(a, b, c, m: m, n: n, k: k)
        }
    }

    /// Two rows of A against four rows of B at a time, four lanes wide: eight accumulators and six
    /// loads fit the sixteen vector registers of baseline x86-64, so nothing spills in the inner loop.
    static func swiftKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        let k4 = k & ~3
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        @inline(__always) func load(_ base: UnsafeRawPointer, _ row: Int, _ p: Int) -> SIMD4<Float> {
            base.loadUnaligned(fromByteOffset: (row * k + p) * 4, as: SIMD4<Float>.self)
        }
        @inline(__always) func tail(_ i: Int, _ j: Int) -> Float {
            var sum: Float = 0
            var p = k4
            while p < k { sum += a[i * k + p] * b[j * k + p]; p += 1 }
            return sum
        }
        var i = 0
        while i < m {
            let i1 = min(i + 1, m - 1)  // an odd last row is computed twice into the same place
            var j = 0
            while j + 4 <= n {
                var c00 = SIMD4<Float>(), c01 = SIMD4<Float>(), c02 = SIMD4<Float>(), c03 = SIMD4<Float>()
                var c10 = SIMD4<Float>(), c11 = SIMD4<Float>(), c12 = SIMD4<Float>(), c13 = SIMD4<Float>()
                var p = 0
                while p < k4 {
                    let a0 = load(ra, i, p), a1 = load(ra, i1, p)
                    let b0 = load(rb, j, p), b1 = load(rb, j + 1, p), b2 = load(rb, j + 2, p), b3 = load(rb, j + 3, p)
                    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
                    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
                    p += 4
                }
                c[i * n + j] = c00.sum() + tail(i, j); c[i * n + j + 1] = c01.sum() + tail(i, j + 1)
                c[i * n + j + 2] = c02.sum() + tail(i, j + 2); c[i * n + j + 3] = c03.sum() + tail(i, j + 3)
                c[i1 * n + j] = c10.sum() + tail(i1, j); c[i1 * n + j + 1] = c11.sum() + tail(i1, j + 1)
                c[i1 * n + j + 2] = c12.sum() + tail(i1, j + 2); c[i1 * n + j + 3] = c13.sum() + tail(i1, j + 3)
                j += 4
            }
            while j < n {
                for row in [i, i1] {
                    var acc = SIMD4<Float>(), p = 0
                    while p < k4 { acc += load(ra, row, p) * load(rb, j, p); p += 4 }
                    c[row * n + j] = acc.sum() + tail(row, j)
                }
                j += 1
            }
            i += 2
        }
    }
}

/// `cblas_sgemm` from Debian's `libopenblas0`, found with `dlopen`; one thread per call, since the
/// server already runs one encoding per core.
final class OpenBLAS: @unchecked Sendable {
    typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void

    let sgemm: SGEMM

    private init(sgemm: SGEMM) { self.sgemm = sgemm }

    static let shared: OpenBLAS? = {
        for name in ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "cblas_sgemm") else { continue }
            if let threads = dlsym(handle, "openblas_set_num_threads") {
                unsafeBitCast(threads, to: SetThreads.self)(1)
            }
            return OpenBLAS(sgemm: unsafeBitCast(symbol, to: SGEMM.self))
        }
        return nil
    }()
}
