#if canImport(Glibc)
import Glibc
#endif

/// The C allocator keeps memory a program freed, to reuse it; after a one-off peak (loading every
/// member's pieces, embedding thousands of texts) that would stay in the server's resident size.
enum Memory {
    /// Hands freed memory back to the operating system: glibc's `malloc_trim`, looked up at run time
    /// (its header is not in Swift's Glibc module); nothing where there is no such function.
    static func returnFreedPages() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
