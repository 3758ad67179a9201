// Replays a fuzz target's corpus (the files given, every file of the folders given) without
// libFuzzer: the targets build and run with g++ in the normal test suite, and a finding saved as a
// file becomes a regression test.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  size_t inputs = 0;
  auto replay = [&](const std::filesystem::path& file) {
    std::ifstream in{file, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, {}};
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++inputs;
  };
  for (int i = 1; i < argc; ++i) {
    if (!std::filesystem::is_directory(argv[i])) {
      replay(argv[i]);
      continue;
    }
    for (auto& e : std::filesystem::recursive_directory_iterator{argv[i]})
      if (e.is_regular_file()) replay(e.path());
  }
  std::printf("%zu inputs replayed\n", inputs);
  std::fflush(stdout);
  std::_Exit(inputs > 0 ? 0 : 1);  // as libFuzzer ends: targets may keep threads running
}
