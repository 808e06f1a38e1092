fn main() -> std::process::ExitCode {
    touchbase::run(std::env::args_os())
}
