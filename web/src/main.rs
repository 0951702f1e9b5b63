//! The entry point of the web app: renders the playground into the page.

fn main() {
    kmem_web::start();
}
