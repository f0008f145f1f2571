import ArgumentParser

@main
struct LoadTool: AsyncParsableCommand {
    func run() async throws {}
}
